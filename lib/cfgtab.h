/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cfgtab.h: configuration as a table. Each row names a dotted YAML key, its
 * type, default, bounds and where it lands in a caller's struct; one loader
 * walks a YAML document against the table and reports the first problem as
 * "file:line:col: what was expected". Shared by vigil-sensor and vigil-collector.
 */
#ifndef VIGIL_CFGTAB_H
#define VIGIL_CFGTAB_H

#include <stddef.h>
#include <stdio.h>

enum cfgtab_type {
	CFGTAB_STRING,		/* char[size]; max length size - 1; enum_names (optional) restricts the values */
	CFGTAB_BOOL,		/* bool; true/false/yes/no/on/off */
	CFGTAB_U32,		/* uint32_t within [min, max] */
	CFGTAB_DOUBLE,		/* double within [min, max] */
	CFGTAB_ENUM,		/* int-sized enum; value = index into enum_names */
	CFGTAB_STRING_LIST,	/* char[count_max][size]; count in a uint32_t at count_offset */
	CFGTAB_CIDR_LIST,	/* struct cfgtab_cidr[count_max]; count at count_offset */
	CFGTAB_TABLE,		/* a list of mappings: count_max entries of size bytes, count at count_offset;
				 * each entry's keys are the rows in sub (keys "<key>.<name>", offsets within the entry) */
};

/* IPv4 or IPv6 prefix; IPv4 as IPv4-mapped IPv6 with prefix_len + 96. Same layout as config_cidr. */
struct cfgtab_cidr {
	unsigned char addr[16];
	unsigned char prefix_len;
};

struct cfgtab_row {
	const char *key;		/* dotted path, e.g. "detectors.rate.k" */
	enum cfgtab_type type;
	const char *def;		/* default as YAML scalar text ("" for empty; lists: "a,b") */
	double min, max;		/* bounds for U32/DOUBLE; lists: min is the fewest entries allowed */
	size_t offset;			/* offsetof() the destination in the target struct */
	size_t size;			/* STRING/STRING_LIST: bytes per string */
	size_t count_max;		/* lists: capacity */
	size_t count_offset;		/* lists: offsetof() the uint32_t count */
	const char *const *enum_names;	/* ENUM, optional for STRING: valid names, NULL-terminated */
	const char *doc;		/* one line for docs/config.md */
	/* STRING, optional: 0 if value is acceptable, else -EINVAL with why ("... for 'key'") */
	int (*check)(const char *key, const char *value, char *why, size_t whylen);
	/* TABLE: the rows of one entry; a STRING sub row with min >= 1 must be given in every entry */
	const struct cfgtab_row *sub;
	size_t n_sub;
};

/*
 * Write every row's default into target (strings and list storage are zeroed
 * first). Also checks the table itself: duplicate keys, a key that is both a
 * value and a section, bad bounds or defaults. Returns 0 or -EINVAL (msg in err).
 */
int cfgtab_defaults(const struct cfgtab_row *rows, size_t n, void *target, char *err, size_t errlen);

/*
 * Parse YAML (a mapping of mappings) over target; keys absent from the document
 * keep what target holds, a list present replaces the whole list. Unknown keys
 * are rejected with a did-you-mean; wrong types and out-of-range values name the
 * key, what was expected, and file:line:col (1-based); err is one line. An empty
 * document is valid. A top-level 'include: FILE' (or a list of files) is loaded
 * first, so the document only states what differs; a relative FILE is taken from
 * the including file's directory, nesting is bounded, and an error inside names
 * the included file's line and column, then where it was included.
 * target may be partly written on error. Returns 0, -EINVAL
 * with err set, -ENOMEM, or -errno when the file cannot be read (err set too).
 */
int cfgtab_load_file(const struct cfgtab_row *rows, size_t n, void *target, const char *path,
		     char *err, size_t errlen);
int cfgtab_load_string(const struct cfgtab_row *rows, size_t n, void *target, const char *name,
		       const char *text, size_t len, char *err, size_t errlen);

/* Markdown table of the rows (key, type, default, bounds, description), after a
 * "# title" heading when title is not NULL. Returns 0 or -EIO. */
int cfgtab_write_doc(const struct cfgtab_row *rows, size_t n, FILE *fp, const char *title);
/* The same table as man(7) source: one .TP entry per key (type, default, range, description). */
int cfgtab_write_man(const struct cfgtab_row *rows, size_t n, FILE *fp);
/* s as man(7) text: backslashes and leading dots escaped, `code` in bold. */
void cfgtab_man_text(FILE *fp, const char *s);

#endif
