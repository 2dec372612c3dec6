/* Finding the medium: a FAT filesystem labelled HYDRA whose MANIFEST has our image id. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "init.h"
#include "node/probe.h"

#define LABEL "HYDRA"

struct seen {
	char text[2048];
};

/* Mount DEV and check its MANIFEST; 0 when it is the medium we want. */
static int try_medium(struct boot *b, const char *dev, struct seen *s)
{
	struct hydra_manifest *m = NULL;
	size_t n = strlen(s->text);

	hydra_mkdir_p(HYDRA_MEDIUM_DIR, 0755);
	if (mount(dev, HYDRA_MEDIUM_DIR, "vfat", MS_RDONLY | MS_NOSUID | MS_NODEV,
		  "shortname=mixed,utf8") < 0 &&
	    mount(dev, HYDRA_MEDIUM_DIR, "vfat", MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0) {
		snprintf(s->text + n, sizeof(s->text) - n, "  %s: HYDRA, cannot mount: %s\n", dev,
			 strerror(errno));
		return 1;
	}
	if (hydra_manifest_load(HYDRA_MEDIUM_DIR, &m) == 0 &&
	    (!b->cmd.id || !strcmp(m->id, b->cmd.id))) {
		if (!b->cmd.id)
			say("warning: no hydra.id on the command line: booting the first medium, %s",
			    m->id);
		b->manifest = m;
		snprintf(b->medium_dev, sizeof(b->medium_dev), "%s", dev);
		return 0;
	}
	snprintf(s->text + n, sizeof(s->text) - n, "  %s: HYDRA, image %s\n", dev,
		 m ? m->id : "(no readable MANIFEST)");
	hydra_manifest_free(m);
	umount(HYDRA_MEDIUM_DIR);
	return 1;
}

/* One pass over the block devices the kernel has found so far. */
static int scan(struct boot *b, struct seen *s)
{
	struct dirent **ents = NULL;
	int n = scandir("/sys/class/block", &ents, NULL, alphasort), found = 1;

	s->text[0] = '\0';
	for (int i = 0; i < n; i++) {
		char dev[300], type[32], label[64];
		size_t len = strlen(s->text);

		if (found && ents[i]->d_name[0] != '.' && strncmp(ents[i]->d_name, "loop", 4) &&
		    strncmp(ents[i]->d_name, "ram", 3)) {
			snprintf(dev, sizeof(dev), "/dev/%s", ents[i]->d_name);
			if (hydra_probe_fs(dev, type, sizeof(type), label, sizeof(label)) == 0 &&
			    !strcmp(type, "vfat") && !strcmp(label, LABEL))
				found = try_medium(b, dev, s);
			else
				snprintf(s->text + len, sizeof(s->text) - len, "  %s: %s%s%s\n", dev,
					 type[0] ? type : "no filesystem", label[0] ? " " : "", label);
		}
		free(ents[i]);
	}
	free(ents);
	return found;
}

int find_medium(struct boot *b)
{
	struct timespec start, now;
	struct seen s;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (unsigned tries = 0;; tries++) {
		if (scan(b, &s) == 0) {
			say("medium %s, image %s", b->medium_dev, b->manifest->id);
			return 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)b->cmd.wait)
			break;
		if (tries == 2)
			say("waiting up to %u s for the medium (slow USB?)", b->cmd.wait);
		usleep(250 * 1000);
	}
	say("looked for %u s for a vfat filesystem labelled %s holding image %s", b->cmd.wait,
	    LABEL, b->cmd.id ? b->cmd.id : "(any)");
	say("found:\n%s", s.text[0] ? s.text : "  no block devices at all (a driver missing?)\n");
	return -ENOENT;
}
