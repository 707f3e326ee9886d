#ifndef VDM_CSYSTEMD_SHIM_H
#define VDM_CSYSTEMD_SHIM_H
#include <systemd/sd-journal.h>
#include <sys/uio.h>
#endif
