package org.mobilebench.shell

/** This flavor's runtime: the TorchScript lite interpreter (PyTorch Mobile), alone in its APK. */
fun openFlavorSession(request: Request): ModelSession = when (request.runtime) {
    "torchscript" -> LiteInterpreterSession(request.modelPath, request.delegate, request.threads)
    else -> throw BadRequest("unknown runtime ${request.runtime}")
}

/** The lite interpreter on its CPU kernels only. */
class LiteInterpreterSession(path: String, delegate: String, threads: Int) : ModelSession {
    private val module: org.pytorch.Module
    private var inputs: Array<org.pytorch.IValue> = emptyArray()
    override val version = BuildConfig.PYTORCH_LITE_VERSION
    override val timedSpan = "forward(inputs)+outputs_to_java"

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

private fun liteTensor(spec: InputSpec, bytes: ByteArray): org.pytorch.Tensor = when (spec.dtype) {
    "float32" -> org.pytorch.Tensor.fromBlob(floats(bytes), spec.shape)
    "int64" -> org.pytorch.Tensor.fromBlob(longs(bytes), spec.shape)
    "int32" -> org.pytorch.Tensor.fromBlob(ints(bytes), spec.shape)
    "int8" -> org.pytorch.Tensor.fromBlob(bytes, spec.shape)
    "uint8" -> org.pytorch.Tensor.fromBlobUnsigned(bytes, spec.shape)
    else -> throw BadRequest("unsupported input dtype ${spec.dtype}")
}
