build-chk/builder/lib/build/hooks.o: builder/lib/build/hooks.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/build/hooks.h builder/lib/build/recipe.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/build/hooks.h:
builder/lib/build/recipe.h:
