build-chk/builder/lib/build/cache.o: builder/lib/build/cache.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/build/cache.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/build/cache.h:
