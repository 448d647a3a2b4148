// SearchLabTensor: CPU kernels (forward/backward pairs) over flat Float buffers; the
// only importer of OpenBLAS.

/// Namespace of the tensor layer.
public enum Tensor {}
