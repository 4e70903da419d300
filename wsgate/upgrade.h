/*
 * upgrade.h: the server side of the WebSocket opening handshake
 * (RFC 6455 4.2): is a parsed head a valid upgrade request, and the
 * Sec-WebSocket-Accept that answers it (upgrade.c).
 */
#ifndef WSGATE_UPGRADE_H
#define WSGATE_UPGRADE_H

#include "httphead.h"
#include "wskey.h"

#define UPGRADE_ACCEPT_LEN	WSKEY_ACCEPT_LEN

int	upgrade_check(const struct httphead *, const char **extra,
	    const char **why);
void	upgrade_accept(const char *key, char acc[UPGRADE_ACCEPT_LEN + 1]);

#endif
