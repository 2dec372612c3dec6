build-chk/builder/cli/commands.o: builder/cli/commands.c \
 builder/cli/cli.h
builder/cli/cli.h:
