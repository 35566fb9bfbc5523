package org.mobilebench.shell

import java.io.File
import java.nio.ByteBuffer
import java.nio.ByteOrder

/** This flavor's runtimes: LiteRT and ExecuTorch. The lite interpreter is in the pytorchLite flavor. */
fun openFlavorSession(request: Request): ModelSession = when (request.runtime) {
    "litert" -> when (request.delegate) {
        "xnnpack", "none" -> LiteRtInterpreterSession(request.modelPath, request.delegate, request.threads)
        "gpu" -> LiteRtGpuSession(request.modelPath)
        else -> throw DelegateUnavailable("this app's LiteRT ${BuildConfig.LITERT_VERSION} offers xnnpack, none and gpu; " +
            "not ${request.delegate} (NNAPI is not part of LiteRT 2.x)")
    }
    "executorch" -> ExecuTorchSession(request.modelPath, request.delegate, request.threads)
    else -> throw BadRequest("unknown runtime ${request.runtime}")
}

/** Both LiteRT paths time the same span: inputs copied in, the model run, outputs copied out. */
private const val LITERT_SPAN = "copy_in+invoke+copy_out"

/** LiteRT's Interpreter on the CPU: XNNPACK, or the builtin kernels alone. */
class LiteRtInterpreterSession(path: String, private val delegate: String, threads: Int) : ModelSession {
    // setUseXNNPACK(true) asks for XNNPACK, which LiteRT's JNI applies as a default delegate
    // (OpResolverLazyDelegateProxy): a failure to apply it is logged and reverted, not thrown, and the Java API
    // cannot tell. "xnnpack" below therefore means "enabled"; the harness's delegated share is the check.
    // setUseXNNPACK(false) adds none: the builtin kernels run everything.
    private val interpreter = org.tensorflow.lite.Interpreter(
        File(path), org.tensorflow.lite.Interpreter.Options().setNumThreads(threads).setUseXNNPACK(delegate == "xnnpack"))
    private var inputs: Array<Any> = emptyArray()
    private val outputs: Map<Int, Any> = (0 until interpreter.outputTensorCount).associateWith {
        ByteBuffer.allocateDirect(interpreter.getOutputTensor(it).numBytes()).order(ByteOrder.nativeOrder())
    }
    override val version = BuildConfig.LITERT_VERSION
    override val timedSpan = LITERT_SPAN

    override fun setInputs(inputs: List<Pair<InputSpec, ByteArray>>) {
        require(inputs.size == interpreter.inputTensorCount) {
            "the model takes ${interpreter.inputTensorCount} inputs; the request gives ${inputs.size}"
        }
        inputs.forEachIndexed { i, (_, bytes) ->
            val expected = interpreter.getInputTensor(i).numBytes()
            require(bytes.size == expected) { "input $i: the model expects $expected bytes, the request gives ${bytes.size}" }
        }
        this.inputs = inputs.map { directBuffer(it.second) }.toTypedArray()
    }

    override fun run() {
        inputs.forEach { (it as ByteBuffer).rewind() }
        outputs.values.forEach { (it as ByteBuffer).rewind() }
        interpreter.runForMultipleInputsOutputs(inputs, outputs)
    }

    override fun lastNativeInferenceNs(): Long? = interpreter.lastNativeInferenceDurationNanoseconds

    override fun delegateApplied() = if (delegate == "xnnpack") "xnnpack" else "none"
}

/** LiteRT's GPU accelerator through the CompiledModel API, with no CPU accelerator to fall back to. */
class LiteRtGpuSession(path: String) : ModelSession {
    private val environment = com.google.ai.edge.litert.Environment.create()
    private val model = try {
        com.google.ai.edge.litert.CompiledModel.create(
            path, com.google.ai.edge.litert.CompiledModel.Options(com.google.ai.edge.litert.Accelerator.GPU), environment)
    } catch (e: Exception) {
        throw DelegateUnavailable("the LiteRT GPU accelerator cannot run this model here: ${e.message}")
    }
    private val inputBuffers = model.createInputBuffers()
    private val outputBuffers = model.createOutputBuffers()
    private var inputs: List<FloatArray> = emptyList()
    override val version = BuildConfig.LITERT_VERSION
    override val timedSpan = LITERT_SPAN

    override fun setInputs(inputs: List<Pair<InputSpec, ByteArray>>) {
        require(inputs.size == inputBuffers.size) { "the model takes ${inputBuffers.size} inputs; the request gives ${inputs.size}" }
        inputs.forEachIndexed { i, (spec, _) ->
            require(spec.dtype == "float32") { "GPU cells take float32 inputs; input $i is ${spec.dtype}" }
        }
        this.inputs = inputs.map { floats(it.second) }
    }

    /** The same span as the Interpreter's runForMultipleInputsOutputs: copy in, run, copy out. */
    override fun run() {
        inputs.forEachIndexed { i, values -> inputBuffers[i].writeFloat(values) }
        model.run(inputBuffers, outputBuffers)
        outputBuffers.forEach { it.readFloat() }
    }

    override fun delegateApplied() = "gpu"
}

/** ExecuTorch: the delegate is baked into the .pte; the session checks the file has the one requested. */
class ExecuTorchSession(path: String, private val requested: String, threads: Int) : ModelSession {
    private val module = org.pytorch.executorch.Module.load(path, org.pytorch.executorch.Module.LOAD_MODE_MMAP, threads)
    private val backendIds: List<String>
    private var inputs: Array<org.pytorch.executorch.EValue> = emptyArray()
    override val version = BuildConfig.EXECUTORCH_VERSION
    // Module.execute takes its inputs on every call (no set-inputs-once API in the Java binding), and
    // returns its outputs as Java objects: the span is that whole call.
    override val timedSpan = "execute(inputs)+outputs_to_java"

    init {
        module.loadMethod("forward")  // returns nothing since 1.3; throws ExecutorchRuntimeException: load_failed
        backendIds = module.getMethodMetadata("forward").backends.orEmpty().toList()
        val names = backendIds.map { EXECUTORCH_BACKENDS[it] ?: it }
        if (requested != "none" && requested !in names) {
            throw DelegateUnavailable("the .pte has no $requested partition (it has: ${names.ifEmpty { listOf("none") }})")
        }
    }

    override fun setInputs(inputs: List<Pair<InputSpec, ByteArray>>) {
        this.inputs = inputs.map { (spec, bytes) -> org.pytorch.executorch.EValue.from(executorchTensor(spec, bytes)) }
            .toTypedArray()
    }

    override fun run() { module.forward(*inputs) }

    override fun delegateApplied() = executorchDelegateApplied(requested, backendIds)

    override fun backends() = backendIds
}

private fun executorchTensor(spec: InputSpec, bytes: ByteArray): org.pytorch.executorch.Tensor = when (spec.dtype) {
    "float32" -> org.pytorch.executorch.Tensor.fromBlob(floats(bytes), spec.shape)
    "int64" -> org.pytorch.executorch.Tensor.fromBlob(longs(bytes), spec.shape)
    "int32" -> org.pytorch.executorch.Tensor.fromBlob(ints(bytes), spec.shape)
    "int8" -> org.pytorch.executorch.Tensor.fromBlob(bytes, spec.shape)
    "uint8" -> org.pytorch.executorch.Tensor.fromBlobUnsigned(bytes, spec.shape)
    else -> throw BadRequest("unsupported input dtype ${spec.dtype}")
}
