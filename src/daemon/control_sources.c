/* control_sources: the "add" and "remove" control commands (see control.h): the request's
 * fields checked as strictly as the configuration file's, then handed to the daemon. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/source.h"
#include "daemon/conf.h"
#include "daemon/control_json.h"

/* An integer member k of req in lo..hi, or def when absent. False (err said) otherwise. */
static bool int_member(json_t *req, const char *k, long lo, long hi, long def, long *out, char *err,
                       size_t errlen)
{
	json_t *v = json_object_get(req, k);
	*out = def;
	if (!v)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		snprintf(err, errlen, "\"%s\" must be an integer %ld..%ld", k, lo, hi);
		return false;
	}
	*out = (long)json_integer_value(v);
	return true;
}

/* A host name or address literal: 1..253 characters of letters, digits and . - _ : % */
static const char *host_member(json_t *req, char *err, size_t errlen)
{
	const char *name = json_string_value(json_object_get(req, "name"));
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > 253 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:%") !=
	            n) {
		snprintf(err, errlen, "\"name\" must be a host name or address");
		return NULL;
	}
	return name;
}

json_t *control_add(const struct control_env *env, json_t *req, char *err, size_t errlen)
{
	const char *type = json_string_value(json_object_get(req, "type"));
	const char *name = host_member(req, err, errlen);
	json_t *ib = json_object_get(req, "iburst");
	long port, minpoll, maxpoll, maxsources;
	if (!type || (strcmp(type, "server") != 0 && strcmp(type, "pool") != 0)) {
		snprintf(err, errlen, "\"type\" must be \"server\" or \"pool\"");
		return NULL;
	}
	if (!name || !int_member(req, "port", 1, 65535, 123, &port, err, errlen) ||
	    !int_member(req, "minpoll", SOURCE_MINPOLL_LIMIT, SOURCE_MAXPOLL_LIMIT,
	                SOURCE_DEFAULT_MINPOLL, &minpoll, err, errlen) ||
	    !int_member(req, "maxpoll", SOURCE_MINPOLL_LIMIT, SOURCE_MAXPOLL_LIMIT,
	                minpoll > SOURCE_DEFAULT_MAXPOLL ? minpoll : SOURCE_DEFAULT_MAXPOLL,
	                &maxpoll, err, errlen) ||
	    !int_member(req, "maxsources", 1, 16, 4, &maxsources, err, errlen))
		return NULL;
	if (maxpoll < minpoll) {
		snprintf(err, errlen, "maxpoll %ld is less than minpoll %ld", maxpoll, minpoll);
		return NULL;
	}
	if (ib && !json_is_boolean(ib)) {
		snprintf(err, errlen, "\"iburst\" must be true or false");
		return NULL;
	}
	struct conf_source cs = {.type = strcmp(type, "pool") == 0 ? CONF_POOL : CONF_SERVER,
	                         .name = (char *)name,
	                         .port = (uint16_t)port,
	                         .iburst = json_is_true(ib),
	                         .minpoll = (int)minpoll,
	                         .maxpoll = (int)maxpoll,
	                         .maxsources = (int)maxsources,
	                         .file = "stratactl add"};
	if (!env->ops.add_source || env->ops.add_source(env->ops.arg, &cs, err, errlen) < 0)
		return NULL;
	return json_pack("{s:s, s:s, s:i}", "added", name, "type", type, "port", (int)port);
}

json_t *control_remove(const struct control_env *env, json_t *req, char *err, size_t errlen)
{
	const char *name = host_member(req, err, errlen);
	long port;
	if (!name || !int_member(req, "port", 0, 65535, 0, &port, err, errlen))
		return NULL;
	if (!env->ops.remove_source ||
	    env->ops.remove_source(env->ops.arg, name, (int)port, err, errlen) < 0)
		return NULL;
	return json_pack("{s:s}", "removed", name);
}
