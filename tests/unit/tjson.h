/*
 * tjson.h: JSON fixtures for unit tests.  J("{...}") parses a fixture (any
 * JSON value) and says on stdout, as a "#" comment, when the fixture itself
 * is broken, so a typo in a test reads as such and not as a library bug.
 * The result is a new reference (NULL when broken).
 */
#ifndef BQ_TJSON_H
#define BQ_TJSON_H

#include <stdio.h>

#include <jansson.h>

static inline json_t *J(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &je);

	if (!v)
		printf("# bad test JSON %s: %s\n", text, je.text);
	return v;
}

#endif
