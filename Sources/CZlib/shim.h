#ifndef VDM_CZLIB_SHIM_H
#define VDM_CZLIB_SHIM_H
#include <zlib.h>
#endif
