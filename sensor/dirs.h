/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dirs.h: the directories a sensor config names (evidence, spool, the state
 * file's and the EVE outputs' folders), made at start when missing, so a
 * fresh install needs no mkdir and nothing is silently off.
 */
#ifndef VIGIL_SENSOR_DIRS_H
#define VIGIL_SENSOR_DIRS_H

#include "config.h"

/*
 * mkdir -p each directory cfg names (0750). A failure is logged with its key;
 * the evidence directory only warns (evidence is then off, the sensor still
 * watches). 0, or -errno for the first directory the sensor cannot do without.
 */
int dirs_make(const struct config *cfg);

#endif
