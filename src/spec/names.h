/* The names config.json uses for kernel constants (capabilities, rlimits,
 * scheduler policies, ...) and their values. */
#ifndef NSRUN_SPEC_NAMES_H
#define NSRUN_SPEC_NAMES_H

#include <stddef.h>

/* Capability number of "CAP_SYS_ADMIN", or -1. */
int capability_from_name(const char *name);
/* "CAP_SYS_ADMIN" for 21; NULL past the last one nsrun knows. */
const char *capability_name(int cap);
/* The highest capability number nsrun knows. */
int capability_last_known(void);

/* RLIMIT_* value of "RLIMIT_NOFILE", or -1. */
int rlimit_from_name(const char *name);
int sched_policy_from_name(const char *name);
int ioprio_class_from_name(const char *name);
/* enum ns_type of the spec's name ("network"), or -1. */
int ns_type_from_spec_name(const char *name);
/* Propagation flags (MS_PRIVATE|MS_REC, ...) of "rprivate"; 0 when unknown. */
unsigned long propagation_from_name(const char *name);
/* The i-th propagation name, NULL past the last. */
const char *propagation_name(size_t i);

#endif
