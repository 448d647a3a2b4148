// The one C entry point to Graphviz (libgvc + libcgraph).
#ifndef CGRAPHVIZ_SHIM_H
#define CGRAPHVIZ_SHIM_H
#include <graphviz/gvc.h>
#include <graphviz/cgraph.h>

// Swift 6 rejects reads of imported mutable C globals such as `Agdirected` as
// concurrency-unsafe; hand them out by value instead.
static inline Agdesc_t cgv_directed(void) { return Agdirected; }
static inline Agdesc_t cgv_undirected(void) { return Agundirected; }
#endif
