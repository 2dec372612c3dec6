build-chk/builder/lib/fleet/netif.o: builder/lib/fleet/netif.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/fleet/netif.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/fleet/netif.h:
