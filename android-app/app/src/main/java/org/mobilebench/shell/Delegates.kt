package org.mobilebench.shell

/** ExecuTorch backend ids (MethodMetadata.getBackends) and the protocol's delegate names. */
val EXECUTORCH_BACKENDS = mapOf("XnnpackBackend" to "xnnpack", "VulkanBackend" to "vulkan", "QnnBackend" to "qnn",
                                "CoreMLBackend" to "coreml", "MPSBackend" to "mps")

/**
 * The one protocol value for what a .pte applied: "none" without backends, the requested delegate when the
 * file has a partition for it, the single known backend otherwise, and null when that is ambiguous or unknown.
 * The full list goes to shell.backends; delegate_applied never joins names (protocol v2 takes one).
 */
fun executorchDelegateApplied(requested: String, backendIds: List<String>): String? {
    val names = backendIds.map { EXECUTORCH_BACKENDS[it] }
    return when {
        names.isEmpty() -> "none"
        requested != "none" && requested in names -> requested
        names.distinct().size == 1 -> names.first()
        else -> null
    }
}
