build-chk/builder/cli/progress.o: builder/cli/progress.c \
 builder/lib/base/util.h builder/cli/progress.h
builder/lib/base/util.h:
builder/cli/progress.h:
