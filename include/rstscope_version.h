/* rstscope_version.h: one version for the tracer and the demo. */
#ifndef RSTSCOPE_VERSION_H
#define RSTSCOPE_VERSION_H
#define RSTSCOPE_VERSION "0.1.0"
#endif
