build-chk/builder/lib/fleet/netboot.o: builder/lib/fleet/netboot.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/fleet/netboot.h builder/lib/fleet/netinstall.h \
 builder/lib/format/hwdb.h builder/lib/fleet/pxe.h \
 builder/lib/format/manifest.h builder/lib/fleet/netif.h \
 builder/lib/fleet/replica.h builder/lib/fleet/restic.h \
 builder/lib/format/layout.h builder/lib/medium/sign.h \
 builder/lib/format/signature.h builder/lib/node/volume.h \
 builder/lib/node/crypt.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/fleet/netboot.h:
builder/lib/fleet/netinstall.h:
builder/lib/format/hwdb.h:
builder/lib/fleet/pxe.h:
builder/lib/format/manifest.h:
builder/lib/fleet/netif.h:
builder/lib/fleet/replica.h:
builder/lib/fleet/restic.h:
builder/lib/format/layout.h:
builder/lib/medium/sign.h:
builder/lib/format/signature.h:
builder/lib/node/volume.h:
builder/lib/node/crypt.h:
