build-chk/builder/lib/build/recipe.o: builder/lib/build/recipe.c \
 builder/lib/base/hydra.h builder/lib/base/ini.h builder/lib/base/util.h \
 builder/lib/build/recipe.h builder/lib/node/volume.h \
 builder/lib/node/crypt.h
builder/lib/base/hydra.h:
builder/lib/base/ini.h:
builder/lib/base/util.h:
builder/lib/build/recipe.h:
builder/lib/node/volume.h:
builder/lib/node/crypt.h:
