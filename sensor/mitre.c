// SPDX-License-Identifier: GPL-2.0-only
/*
 * mitre.c: the ATT&CK (Enterprise) techniques the detectors report, one row
 * each: id, name, tactic. Only facts from the public ATT&CK matrix.
 */
#include <string.h>

#include "mitre.h"

static const struct mitre_technique mitre_rows[] = {
	{ "T1003.006", "OS Credential Dumping: DCSync", "TA0006", "Credential Access" },
	{ "T1018", "Remote System Discovery", "TA0007", "Discovery" },
	{ "T1021", "Remote Services", "TA0008", "Lateral Movement" },
	{ "T1021.001", "Remote Services: Remote Desktop Protocol", "TA0008", "Lateral Movement" },
	{ "T1021.002", "Remote Services: SMB/Windows Admin Shares", "TA0008", "Lateral Movement" },
	{ "T1021.003", "Remote Services: Distributed Component Object Model", "TA0008", "Lateral Movement" },
	{ "T1021.006", "Remote Services: Windows Remote Management", "TA0008", "Lateral Movement" },
	{ "T1041", "Exfiltration Over C2 Channel", "TA0010", "Exfiltration" },
	{ "T1046", "Network Service Discovery", "TA0007", "Discovery" },
	{ "T1047", "Windows Management Instrumentation", "TA0002", "Execution" },
	{ "T1048", "Exfiltration Over Alternative Protocol", "TA0010", "Exfiltration" },
	{ "T1053.005", "Scheduled Task/Job: Scheduled Task", "TA0002", "Execution" },
	{ "T1071", "Application Layer Protocol", "TA0011", "Command and Control" },
	{ "T1071.004", "Application Layer Protocol: DNS", "TA0011", "Command and Control" },
	{ "T1110", "Brute Force", "TA0006", "Credential Access" },
	{ "T1110.001", "Brute Force: Password Guessing", "TA0006", "Credential Access" },
	{ "T1112", "Modify Registry", "TA0005", "Defense Evasion" },
	{ "T1133", "External Remote Services", "TA0003", "Persistence" },
	{ "T1210", "Exploitation of Remote Services", "TA0008", "Lateral Movement" },
	{ "T1498", "Network Denial of Service", "TA0040", "Impact" },
	{ "T1498.001", "Network Denial of Service: Direct Network Flood", "TA0040", "Impact" },
	{ "T1498.002", "Network Denial of Service: Reflection Amplification", "TA0040", "Impact" },
	{ "T1499.001", "Endpoint Denial of Service: OS Exhaustion Flood", "TA0040", "Impact" },
	{ "T1569.002", "System Services: Service Execution", "TA0002", "Execution" },
	{ "T1571", "Non-Standard Port", "TA0011", "Command and Control" },
	{ "T1595.001", "Active Scanning: Scanning IP Blocks", "TA0043", "Reconnaissance" },
	{ "T1595.002", "Active Scanning: Vulnerability Scanning", "TA0043", "Reconnaissance" },
};

const struct mitre_technique *mitre_lookup(const char *id)
{
	unsigned int i;

	if (!id)
		return NULL;
	for (i = 0; i < sizeof(mitre_rows) / sizeof(mitre_rows[0]); i++)
		if (!strcmp(mitre_rows[i].id, id))
			return &mitre_rows[i];
	return NULL;
}
