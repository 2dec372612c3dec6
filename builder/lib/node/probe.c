#include "node/probe.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <blkid.h>

#include "base/hydra.h"
#include "base/sysfs.h"
#include "base/util.h"

/* Read a one-line attribute, trimmed; NULL in *out when absent or empty. */
static int read_attr(const char *dir, const char *name, char **out)
{
	*out = hydra_sysfs_read(dir, "/%s", name);
	return 0;
}

/* Profiles separate entries with spaces, and serials may contain some. */
static void no_spaces(char *s)
{
	for (; s && *s; s++)
		if (isspace((unsigned char)*s) || *s == ':')
			*s = '_';
}

static int probe_dmi(const char *sysfs, struct hydra_machine *m)
{
	char *dmi = hydra_path_join(sysfs, "class/dmi/id");
	int r;

	if (!dmi)
		return -ENOMEM;
	if ((r = read_attr(dmi, "product_uuid", &m->uuid)) < 0 ||
	    (r = read_attr(dmi, "product_serial", &m->serial)) < 0 ||
	    (r = read_attr(dmi, "sys_vendor", &m->vendor)) < 0 ||
	    (r = read_attr(dmi, "product_name", &m->product)) < 0 ||
	    (r = read_attr(dmi, "board_name", &m->board)) < 0)
		goto out;
	if (m->uuid)
		for (char *p = m->uuid; *p; p++)
			*p = (char)tolower((unsigned char)*p);
out:
	free(dmi);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int probe_net(const char *sysfs, struct hydra_machine *m)
{
	char *net = hydra_path_join(sysfs, "class/net"), *ifdir = NULL, *link = NULL, *addr = NULL;
	DIR *d = NULL;
	struct dirent *e;
	int r = 0;

	if (!net)
		return -ENOMEM;
	d = opendir(net);
	if (!d)
		goto out;
	while ((e = readdir(d))) {
		struct stat st;
		char mac[18];

		if (e->d_name[0] == '.' || !strcmp(e->d_name, "lo"))
			continue;
		free(ifdir);
		free(link);
		free(addr);
		link = addr = NULL;
		ifdir = hydra_path_join(net, e->d_name);
		link = ifdir ? hydra_path_join(ifdir, "device") : NULL;
		if (!link) {
			r = -ENOMEM;
			goto out;
		}
		/* Bridges, bonds, veths and tunnels have no device: not hardware. */
		if (stat(link, &st) < 0)
			continue;
		if ((r = read_attr(ifdir, "address", &addr)) < 0)
			goto out;
		if (!addr || hydra_mac_normalize(addr, mac) < 0 || !strcmp(mac, "00:00:00:00:00:00"))
			continue;
		if (m->n_macs == HYDRA_HWDB_MAX_MACS) {
			hydra_log(HYDRA_LOG_WARN, "more than %d network interfaces, ignoring '%s'",
				  HYDRA_HWDB_MAX_MACS, e->d_name);
			continue;
		}
		if (!(m->macs[m->n_macs] = strdup(mac))) {
			r = -ENOMEM;
			goto out;
		}
		m->n_macs++;
	}
	/* readdir order is arbitrary; a stable order makes probes comparable. */
	qsort(m->macs, m->n_macs, sizeof(m->macs[0]), cmp_str);
out:
	if (d)
		closedir(d);
	free(net);
	free(ifdir);
	free(link);
	free(addr);
	return r;
}

int hydra_probe_block_virtual(const char *name)
{
	static const char *const prefixes[] = { "loop", "ram", "zram", "dm-", "md", "sr", "fd", "nbd" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

int hydra_probe_fs(const char *dev, char *type, size_t tlen, char *label, size_t llen)
{
	blkid_probe pr = blkid_new_probe_from_filename(dev);
	const char *v;
	int r = 1;

	type[0] = label[0] = '\0';
	if (!pr)
		return -errno;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL);
	if (blkid_do_safeprobe(pr) == 0) {
		if (blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0)
			snprintf(type, tlen, "%s", v);
		if (blkid_probe_lookup_value(pr, "LABEL", &v, NULL) == 0)
			snprintf(label, llen, "%s", v);
		r = 0;
	}
	blkid_free_probe(pr);
	return r;
}

/* The serial or WWN of the disk whose sysfs folder is DEV, spaces made '_'; *ID NULL when none. */
static int disk_id(const char *dev, char **id)
{
	static const char *const ids[] = { "device/serial", "device/wwid", "wwid", "serial" };
	int r = 0;

	*id = NULL;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]) && !*id && r >= 0; i++)
		r = read_attr(dev, ids[i], id);
	if (*id)
		no_spaces(*id);
	return r < 0 ? r : 0;
}

int hydra_probe_disk_id(const char *sysfs, const char *name, char **id)
{
	char *dev = hydra_strdupf("%s/block/%s", sysfs, name);
	int r = dev ? disk_id(dev, id) : -ENOMEM;

	free(dev);
	return r;
}

static int cmp_disk(const void *a, const void *b)
{
	return strcmp(((const struct hydra_disk_id *)a)->id, ((const struct hydra_disk_id *)b)->id);
}

static int probe_block(const char *sysfs, struct hydra_machine *m)
{
	char *block = hydra_path_join(sysfs, "block"), *dev = NULL, *size = NULL, *id = NULL;
	DIR *d = NULL;
	struct dirent *e;
	int r = 0;

	if (!block)
		return -ENOMEM;
	d = opendir(block);
	if (!d)
		goto out;
	while ((e = readdir(d))) {
		unsigned long long sectors;
		char *end;

		if (e->d_name[0] == '.' || hydra_probe_block_virtual(e->d_name))
			continue;
		free(dev);
		free(size);
		free(id);
		size = id = NULL;
		if (!(dev = hydra_path_join(block, e->d_name))) {
			r = -ENOMEM;
			goto out;
		}
		if ((r = read_attr(dev, "size", &size)) < 0)
			goto out;
		if (!size)
			continue;
		errno = 0;
		sectors = strtoull(size, &end, 10);
		if (errno || *end || sectors == 0)
			continue;
		if ((r = disk_id(dev, &id)) < 0)
			goto out;
		/* Without a serial a disk cannot identify a machine. */
		if (!id)
			continue;
		if (m->n_disks == HYDRA_HWDB_MAX_DISKS) {
			hydra_log(HYDRA_LOG_WARN, "more than %d disks, ignoring '%s'",
				  HYDRA_HWDB_MAX_DISKS, e->d_name);
			continue;
		}
		m->disks[m->n_disks].id = id;
		m->disks[m->n_disks].size = (uint64_t)sectors * 512;
		m->n_disks++;
		id = NULL;
	}
	qsort(m->disks, m->n_disks, sizeof(m->disks[0]), cmp_disk);
out:
	if (d)
		closedir(d);
	free(block);
	free(dev);
	free(size);
	free(id);
	return r;
}

static int probe_cpu(const char *proc, struct hydra_machine *m)
{
	char *path = hydra_path_join(proc, "cpuinfo"), *buf = NULL, *line, *save = NULL;
	size_t len;
	int r;

	if (!path)
		return -ENOMEM;
	r = hydra_read_file(path, &buf, &len);
	if (r < 0) {
		r = r == -ENOMEM ? r : 0;
		goto out;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *v;
		size_t kl;

		if (!colon)
			continue;
		kl = (size_t)(colon - line);
		while (kl && isspace((unsigned char)line[kl - 1]))
			kl--;
		if (kl == 9 && !strncmp(line, "processor", 9))
			m->cpus++;
		else if (kl == 10 && !strncmp(line, "model name", 10) && !m->cpu) {
			v = colon + 1;
			v += strspn(v, " \t");
			if (*v && !(m->cpu = strdup(v))) {
				r = -ENOMEM;
				goto out;
			}
		}
	}
out:
	free(path);
	free(buf);
	return r;
}

static int probe_mem(const char *proc, struct hydra_machine *m)
{
	char *path = hydra_path_join(proc, "meminfo"), *buf = NULL, *p;
	size_t len;
	int r;

	if (!path)
		return -ENOMEM;
	r = hydra_read_file(path, &buf, &len);
	if (r < 0) {
		r = r == -ENOMEM ? r : 0;
		goto out;
	}
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long long kib;

		if (sscanf(p, "MemTotal: %llu kB", &kib) == 1) {
			m->memory = (uint64_t)kib * 1024;
			break;
		}
	}
out:
	free(path);
	free(buf);
	return r;
}

int hydra_probe(const char *sysfs, const char *proc, struct hydra_machine *m)
{
	struct stat st;
	int r;

	memset(m, 0, sizeof(*m));
	if (stat(sysfs, &st) < 0) {
		r = -errno;
		hydra_log(HYDRA_LOG_ERROR, "cannot open '%s': %s", sysfs, strerror(errno));
		return r;
	}
	if ((r = probe_dmi(sysfs, m)) < 0 || (r = probe_net(sysfs, m)) < 0 ||
	    (r = probe_block(sysfs, m)) < 0 || (r = probe_cpu(proc, m)) < 0 ||
	    (r = probe_mem(proc, m)) < 0) {
		hydra_machine_clear(m);
		return r;
	}
	return 0;
}
