/* libFuzzer target: the configuration parser (libconfuse underneath): any text is either
 * a configuration whose printed form loads again, or one FILE:LINE error line. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/conf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 32);
	char err[1024] = "";
	struct conf *c = NULL;
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* no include directory: the fuzzer must not read the machine's files */
	strcat(text + strlen(text), "\ninclude_dir = \"\"\n");
	if (conf_load_string(text, "fuzz.conf", &c, err, sizeof(err)) == 0) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		conf_print(c, f);
		fclose(f);
		struct conf *again = NULL;
		if (conf_load_string(buf, "printed.conf", &again, err, sizeof(err)) != 0)
			fprintf(stderr, "printed:\n%s\nerror: %s\n", buf, err);
		FUZZ_CHECK(again, "what --check-config prints loads again");
		conf_free(again);
		free(buf);
		conf_free(c);
	} else {
		if (strncmp(err, "fuzz.conf:", 10) != 0 || strchr(err, '\n'))
			fprintf(stderr, "error: [%s]\n", err);
		FUZZ_CHECK(strncmp(err, "fuzz.conf:", 10) == 0 && !strchr(err, '\n'),
		           "an error is one FILE:LINE line");
	}
	free(text);
	return 0;
}
