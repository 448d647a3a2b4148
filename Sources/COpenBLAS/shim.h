// The one C entry point to OpenBLAS. Debian exposes cblas.h through the multiarch
// include directory, so no absolute path is needed here.
#ifndef COPENBLAS_SHIM_H
#define COPENBLAS_SHIM_H
#include <cblas.h>
#endif
