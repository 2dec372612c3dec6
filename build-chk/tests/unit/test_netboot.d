build-chk/tests/unit/test_netboot.o: tests/unit/test_netboot.c \
 builder/lib/fleet/firewall.h builder/lib/fleet/netboot.h \
 builder/lib/fleet/netinstall.h builder/lib/format/hwdb.h \
 builder/lib/fleet/pxe.h builder/lib/format/manifest.h \
 builder/lib/base/util.h builder/lib/fleet/netif.h tests/unit/harness.h \
 builder/lib/base/hydra.h
builder/lib/fleet/firewall.h:
builder/lib/fleet/netboot.h:
builder/lib/fleet/netinstall.h:
builder/lib/format/hwdb.h:
builder/lib/fleet/pxe.h:
builder/lib/format/manifest.h:
builder/lib/base/util.h:
builder/lib/fleet/netif.h:
tests/unit/harness.h:
builder/lib/base/hydra.h:
