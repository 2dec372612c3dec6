build-chk/builder/lib/fleet/firewall.o: builder/lib/fleet/firewall.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/fleet/firewall.h builder/lib/fleet/pxe.h \
 builder/lib/format/manifest.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/fleet/firewall.h:
builder/lib/fleet/pxe.h:
builder/lib/format/manifest.h:
