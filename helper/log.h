/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: logging
 *
 * One line per event on stderr, "nsdo-helper[PID] LEVEL: text". stdout is
 * reserved for frames. Debug lines are written only when the environment
 * variable NSDO_HELPER_DEBUG is set.
 */
#ifndef NSDO_LOG_H
#define NSDO_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_init(void);
void log_line(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define debug(...)	log_line(LOG_DEBUG, __VA_ARGS__)
#define info(...)	log_line(LOG_INFO, __VA_ARGS__)
#define warn(...)	log_line(LOG_WARN, __VA_ARGS__)
#define err(...)	log_line(LOG_ERROR, __VA_ARGS__)

#endif /* NSDO_LOG_H */
