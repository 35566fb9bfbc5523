package org.mobilebench.shell

import java.io.File
import java.nio.ByteBuffer
import java.nio.ByteOrder

/** The requested delegate cannot be applied here. Shells never fall back silently. */
class DelegateUnavailable(message: String) : Exception(message)

/** One loaded model on one runtime. Mirrors harness/runtimes/session.py. */
interface ModelSession {
    val version: String
    fun setInputs(inputs: List<Pair<InputSpec, ByteArray>>)
    /** One inference on the inputs already set: the only call the shell times. */
    fun run()
    /** What the runtime actually applied. */
    fun delegateApplied(): String
}

fun openSession(request: Request): ModelSession = when (request.runtime) {
    "litert" -> when (request.delegate) {
        "xnnpack", "none" -> LiteRtInterpreterSession(request.modelPath, request.delegate, request.threads)
        "gpu" -> LiteRtGpuSession(request.modelPath)
        else -> throw DelegateUnavailable("this app's LiteRT ${BuildConfig.LITERT_VERSION} offers xnnpack, none and gpu; " +
            "not ${request.delegate} (NNAPI is not part of LiteRT 2.x)")
    }
    "executorch" -> ExecuTorchSession(request.modelPath, request.delegate, request.threads)
    "torchscript" -> LiteInterpreterSession(request.modelPath, request.delegate, request.threads)
    else -> throw BadRequest("unknown runtime ${request.runtime}")
}

private fun directBuffer(bytes: ByteArray): ByteBuffer =
    ByteBuffer.allocateDirect(bytes.size).order(ByteOrder.nativeOrder()).apply { put(bytes); rewind() }

private fun littleEndian(bytes: ByteArray): ByteBuffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)

/** LiteRT's Interpreter on the CPU: XNNPACK, or the builtin kernels alone. */
class LiteRtInterpreterSession(path: String, private val delegate: String, threads: Int) : ModelSession {
    private val interpreter = org.tensorflow.lite.Interpreter(
        File(path), org.tensorflow.lite.Interpreter.Options().setNumThreads(threads).setUseXNNPACK(delegate == "xnnpack"))
    private var inputs: Array<Any> = emptyArray()
    private val outputs: Map<Int, Any> = (0 until interpreter.outputTensorCount).associateWith {
        ByteBuffer.allocateDirect(interpreter.getOutputTensor(it).numBytes()).order(ByteOrder.nativeOrder())
    }
    override val version = BuildConfig.LITERT_VERSION

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

    override fun delegateApplied() = delegate
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
    override val version = BuildConfig.LITERT_VERSION

    override fun setInputs(inputs: List<Pair<InputSpec, ByteArray>>) {
        require(inputs.size == inputBuffers.size) { "the model takes ${inputBuffers.size} inputs; the request gives ${inputs.size}" }
        inputs.forEachIndexed { i, (spec, bytes) ->
            require(spec.dtype == "float32") { "GPU cells take float32 inputs; input $i is ${spec.dtype}" }
            val values = FloatArray(bytes.size / 4).also { littleEndian(bytes).asFloatBuffer().get(it) }
            inputBuffers[i].writeFloat(values)
        }
    }

    override fun run() {
        model.run(inputBuffers, outputBuffers)
    }

    override fun delegateApplied() = "gpu"
}

/** ExecuTorch: the delegate is baked into the .pte; the session checks the file has the one requested. */
class ExecuTorchSession(path: String, private val delegate: String, threads: Int) : ModelSession {
    private val module = org.pytorch.executorch.Module.load(path, org.pytorch.executorch.Module.LOAD_MODE_MMAP, threads)
    private val backends: List<String>
    private var inputs: Array<org.pytorch.executorch.EValue> = emptyArray()
    override val version = BuildConfig.EXECUTORCH_VERSION

    init {
        val error = module.loadMethod("forward")
        check(error == 0) { "loading the forward method failed with ExecuTorch error 0x${Integer.toHexString(error)}" }
        backends = module.getMethodMetadata("forward").backends.orEmpty().map { BACKEND_NAMES[it] ?: it }
        if (delegate != "none" && delegate !in backends) {
            throw DelegateUnavailable("the .pte has no $delegate partition (it has: ${backends.ifEmpty { listOf("none") }})")
        }
    }

    override fun setInputs(inputs: List<Pair<InputSpec, ByteArray>>) {
        this.inputs = inputs.map { (spec, bytes) -> org.pytorch.executorch.EValue.from(executorchTensor(spec, bytes)) }
            .toTypedArray()
    }

    override fun run() { module.forward(*inputs) }

    override fun delegateApplied() = backends.joinToString("+").ifEmpty { "none" }

    companion object {
        val BACKEND_NAMES = mapOf("XnnpackBackend" to "xnnpack", "VulkanBackend" to "vulkan", "QnnBackend" to "qnn",
                                  "CoreMLBackend" to "coreml", "MPSBackend" to "mps")
    }
}

private fun executorchTensor(spec: InputSpec, bytes: ByteArray): org.pytorch.executorch.Tensor {
    val buffer = littleEndian(bytes)
    return when (spec.dtype) {
        "float32" -> org.pytorch.executorch.Tensor.fromBlob(FloatArray(bytes.size / 4).also { buffer.asFloatBuffer().get(it) }, spec.shape)
        "int64" -> org.pytorch.executorch.Tensor.fromBlob(LongArray(bytes.size / 8).also { buffer.asLongBuffer().get(it) }, spec.shape)
        "int32" -> org.pytorch.executorch.Tensor.fromBlob(IntArray(bytes.size / 4).also { buffer.asIntBuffer().get(it) }, spec.shape)
        "int8" -> org.pytorch.executorch.Tensor.fromBlob(bytes, spec.shape)
        "uint8" -> org.pytorch.executorch.Tensor.fromBlobUnsigned(bytes, spec.shape)
        else -> throw BadRequest("unsupported input dtype ${spec.dtype}")
    }
}

/** The TorchScript lite interpreter (PyTorch Mobile), on its CPU kernels only. */
class LiteInterpreterSession(path: String, delegate: String, threads: Int) : ModelSession {
    private val module: org.pytorch.Module
    private var inputs: Array<org.pytorch.IValue> = emptyArray()
    override val version = BuildConfig.PYTORCH_LITE_VERSION

    init {
        if (delegate != "none") throw DelegateUnavailable("the lite interpreter runs on its CPU kernels only; not $delegate")
        org.pytorch.PyTorchAndroid.setNumThreads(threads)
        module = org.pytorch.LiteModuleLoader.load(path)
    }

    override fun setInputs(inputs: List<Pair<InputSpec, ByteArray>>) {
        this.inputs = inputs.map { (spec, bytes) -> org.pytorch.IValue.from(liteTensor(spec, bytes)) }.toTypedArray()
    }

    override fun run() { module.forward(*inputs) }

    override fun delegateApplied() = "none"
}

private fun liteTensor(spec: InputSpec, bytes: ByteArray): org.pytorch.Tensor {
    val buffer = littleEndian(bytes)
    return when (spec.dtype) {
        "float32" -> org.pytorch.Tensor.fromBlob(FloatArray(bytes.size / 4).also { buffer.asFloatBuffer().get(it) }, spec.shape)
        "int64" -> org.pytorch.Tensor.fromBlob(LongArray(bytes.size / 8).also { buffer.asLongBuffer().get(it) }, spec.shape)
        "int32" -> org.pytorch.Tensor.fromBlob(IntArray(bytes.size / 4).also { buffer.asIntBuffer().get(it) }, spec.shape)
        "int8" -> org.pytorch.Tensor.fromBlob(bytes, spec.shape)
        "uint8" -> org.pytorch.Tensor.fromBlobUnsigned(bytes, spec.shape)
        else -> throw BadRequest("unsupported input dtype ${spec.dtype}")
    }
}
