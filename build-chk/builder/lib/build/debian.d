build-chk/builder/lib/build/debian.o: builder/lib/build/debian.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/build/kernel.h builder/lib/build/rootfs.h \
 builder/lib/build/recipe.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/build/kernel.h:
builder/lib/build/rootfs.h:
builder/lib/build/recipe.h:
