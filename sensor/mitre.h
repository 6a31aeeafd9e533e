/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mitre.h: the MITRE ATT&CK techniques vigil's incidents name, with their
 * names and tactics, so an alert's metadata says what kind of step of an
 * intrusion it saw in the words analysts and SIEM rules already use.
 */
#ifndef VIGIL_MITRE_H
#define VIGIL_MITRE_H

struct mitre_technique {
	const char *id;			/* "T1110.001" */
	const char *name;		/* "Brute Force: Password Guessing" */
	const char *tactic_id;		/* "TA0006" */
	const char *tactic;		/* "Credential Access" */
};

/* The technique with this id, or NULL when vigil does not know it. */
const struct mitre_technique *mitre_lookup(const char *id);

#endif
