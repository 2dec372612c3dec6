build-chk/builder/lib/build/kernel.o: builder/lib/build/kernel.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/build/cache.h builder/lib/build/deb.h \
 builder/lib/build/kernel.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/build/cache.h:
builder/lib/build/deb.h:
builder/lib/build/kernel.h:
