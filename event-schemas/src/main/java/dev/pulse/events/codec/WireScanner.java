package dev.pulse.events.codec;

import dev.pulse.events.codec.DecodeError.Reason;
import java.util.Arrays;
import org.apache.avro.Schema;

/**
 * Checks that bytes are exactly one value of a writer schema in Avro binary encoding, without
 * building the value and without throwing.
 *
 * <p>Why a separate pass before Avro decodes: Avro's decoder reports bad input by exceptions of
 * many kinds (EOF, negative lengths, bad union or enum index), trusts a declared string length
 * enough to allocate it before noticing the input is shorter, ignores trailing bytes, and accepts
 * any byte as a boolean and invalid UTF-8 as text. This scan classifies all of those precisely
 * (TRUNCATED or MALFORMED, with the field's path) for the price of one pass over a few hundred
 * bytes; after it passes, Avro decodes the same bytes without surprises.
 *
 * <p>One instance per call; not thread-safe.
 */
final class WireScanner {

  /** Arrays and maps of zero-byte items could claim billions of items in one byte; cap them. */
  private static final long MAX_ZERO_SIZE_ITEMS = 65_536;

  private final String root;

  /** Field names from the root to the value being scanned; a path string only on failure. */
  private String[] names = new String[8];

  private int depth;
  private final byte[] buf;
  private final int limit;
  private int pos;

  /** The last varint read: a field, not a return value, keeps the scan free of allocation. */
  private long lastLong;

  private Reason reason;
  private String problem;

  private WireScanner(String root, byte[] buf, int offset, int limit) {
    this.root = root;
    this.buf = buf;
    this.pos = offset;
    this.limit = limit;
  }

  /**
   * Scans {@code buf[offset, offset + length)} as one value of {@code schema}; returns null when
   * the bytes are exactly one such value, otherwise the error.
   */
  static DecodeError scan(Schema schema, byte[] buf, int offset, int length) {
    WireScanner scanner = new WireScanner(schema.getName(), buf, offset, offset + length);
    if (!scanner.value(schema)) {
      return new DecodeError(scanner.reason, scanner.problem);
    }
    if (scanner.pos != scanner.limit) {
      int trailing = scanner.limit - scanner.pos;
      return new DecodeError(
          Reason.MALFORMED,
          trailing
              + " trailing byte"
              + (trailing == 1 ? "" : "s")
              + " after a complete "
              + schema.getFullName()
              + " (at byte "
              + (scanner.pos - offset)
              + " of the body)");
    }
    return null;
  }

  private boolean value(Schema schema) {
    switch (schema.getType()) {
      case NULL:
        return true;
      case BOOLEAN:
        if (!need(1)) {
          return false;
        }
        int b = buf[pos];
        if (b != 0 && b != 1) {
          return fail(Reason.MALFORMED, path() + ": boolean byte is " + b + ", expected 0 or 1");
        }
        pos++;
        return true;
      case INT:
        return readVarint(5);
      case LONG:
        return readVarint(10);
      case FLOAT:
        return skipBytes(4);
      case DOUBLE:
        return skipBytes(8);
      case FIXED:
        return skipBytes(schema.getFixedSize());
      case STRING:
        return string();
      case BYTES:
        return length() && skipBytes((int) lastLong);
      case ENUM:
        return index(schema.getEnumSymbols().size(), "enum symbol");
      case UNION:
        if (!index(schema.getTypes().size(), "union branch")) {
          return false;
        }
        return value(schema.getTypes().get((int) lastLong));
      case RECORD:
        for (Schema.Field field : schema.getFields()) {
          push(field.name());
          if (!value(field.schema())) {
            return false; // the failure message already holds the path
          }
          depth--;
        }
        return true;
      case ARRAY:
        return blocks(schema.getElementType(), false);
      case MAP:
        return blocks(schema.getValueType(), true);
      default:
        return fail(Reason.MALFORMED, path() + ": unsupported schema type " + schema.getType());
    }
  }

  private boolean readVarint(int maxBytes) {
    long value = 0;
    for (int i = 0; i < maxBytes; i++) {
      if (pos >= limit) {
        return fail(Reason.TRUNCATED, path() + ": input ends inside a number");
      }
      int b = buf[pos++] & 0xff;
      value |= (long) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        lastLong = (value >>> 1) ^ -(value & 1); // zig-zag
        return true;
      }
    }
    return fail(Reason.MALFORMED, path() + ": number longer than " + maxBytes + " bytes");
  }

  private boolean length() {
    if (!readVarint(10)) {
      return false;
    }
    if (lastLong < 0) {
      return fail(Reason.MALFORMED, path() + ": negative length " + lastLong);
    }
    return true;
  }

  private boolean string() {
    if (!length()) {
      return false;
    }
    long len = lastLong;
    if (len > limit - pos) {
      return fail(
          Reason.TRUNCATED,
          path() + ": string declares " + len + " bytes but only " + (limit - pos) + " remain");
    }
    int end = pos + (int) len;
    if (!validUtf8(pos, end)) {
      return fail(Reason.MALFORMED, path() + ": string is not valid UTF-8");
    }
    pos = end;
    return true;
  }

  private boolean index(int size, String what) {
    if (!readVarint(5)) {
      return false;
    }
    if (lastLong < 0 || lastLong >= size) {
      return fail(
          Reason.MALFORMED,
          path() + ": " + what + " index " + lastLong + " outside 0.." + (size - 1));
    }
    return true;
  }

  private boolean blocks(Schema item, boolean map) {
    while (true) {
      if (!readVarint(10)) {
        return false;
      }
      long count = lastLong;
      if (count == 0) {
        return true;
      }
      if (count < 0) {
        // A negative count is followed by the block's size in bytes, which we do not need.
        count = -count;
        if (!length()) {
          return false;
        }
      }
      if (count > Math.max(limit - pos, MAX_ZERO_SIZE_ITEMS)) {
        return fail(Reason.MALFORMED, path() + ": block claims " + count + " items");
      }
      for (long i = 0; i < count; i++) {
        if (map && !string()) {
          return false;
        }
        if (!value(item)) {
          return false;
        }
      }
    }
  }

  private boolean skipBytes(int n) {
    if (!need(n)) {
      return false;
    }
    pos += n;
    return true;
  }

  private boolean need(long n) {
    if (n > limit - pos) {
      return fail(
          Reason.TRUNCATED,
          path() + ": needs " + n + " bytes but only " + (limit - pos) + " remain");
    }
    return true;
  }

  private boolean fail(Reason reason, String problem) {
    this.reason = reason;
    this.problem = problem;
    return false;
  }

  private void push(String name) {
    if (depth == names.length) {
      names = Arrays.copyOf(names, depth * 2);
    }
    names[depth++] = name;
  }

  /** Where the scan is, as Record.field: built only when reporting a failure. */
  private String path() {
    StringBuilder s = new StringBuilder(root);
    for (int i = 0; i < depth; i++) {
      s.append('.').append(names[i]);
    }
    return s.toString();
  }

  /** Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF); ASCII takes the fast loop. */
  private boolean validUtf8(int from, int to) {
    int i = from;
    while (i < to && buf[i] >= 0) {
      i++;
    }
    while (i < to) {
      int b = buf[i] & 0xff;
      if (b < 0x80) {
        i++;
        continue;
      }
      int extra;
      int min;
      if (b >= 0xc2 && b <= 0xdf) {
        extra = 1;
        min = 0x80;
      } else if (b >= 0xe0 && b <= 0xef) {
        extra = 2;
        min = 0x800;
      } else if (b >= 0xf0 && b <= 0xf4) {
        extra = 3;
        min = 0x10000;
      } else {
        return false;
      }
      if (to - i <= extra) {
        return false;
      }
      int cp = b & (0x3f >> extra);
      for (int k = 1; k <= extra; k++) {
        int c = buf[i + k] & 0xff;
        if ((c & 0xc0) != 0x80) {
          return false;
        }
        cp = (cp << 6) | (c & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return false;
      }
      i += extra + 1;
    }
    return true;
  }
}
