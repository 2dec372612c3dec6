/* Unpacking Debian packages with libarchive: no dpkg, no root. */
#ifndef HYDRA_DEB_H
#define HYDRA_DEB_H

/*
 * Extract from the .deb at PATH the members of its data archive whose path
 * (without the leading "./") starts with one of PREFIXES (NULL-terminated)
 * into DEST. Paths that climb out of DEST are refused.
 */
int hydra_deb_extract(const char *path, const char *const *prefixes, const char *dest);

#endif
