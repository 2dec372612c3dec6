build-chk/builder/lib/base/extent.o: builder/lib/base/extent.c \
 builder/lib/base/extent.h
builder/lib/base/extent.h:
