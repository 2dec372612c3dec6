build-chk/builder/cli/cmd_build.o: builder/cli/cmd_build.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/build/build.h builder/lib/build/recipe.h builder/cli/cli.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/build/build.h:
builder/lib/build/recipe.h:
builder/cli/cli.h:
