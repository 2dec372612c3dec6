build-chk/builder/lib/build/squashfs.o: builder/lib/build/squashfs.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/build/rootfs.h builder/lib/build/recipe.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/build/rootfs.h:
builder/lib/build/recipe.h:
