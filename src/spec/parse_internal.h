/* What the spec parser's files share with one another. */
#ifndef NSRUN_SPEC_PARSE_INTERNAL_H
#define NSRUN_SPEC_PARSE_INTERNAL_H

#include <jansson.h>

#include "spec/reader.h"
#include "spec/spec.h"

int parse_id_mappings(struct reader *r, json_t *obj, const char *key, struct spec_id_mappings *out);
int parse_linux(struct reader *r, json_t *linux, struct spec_linux *out);
int parse_resources(struct reader *r, json_t *resources, struct spec_resources *out);

#endif
