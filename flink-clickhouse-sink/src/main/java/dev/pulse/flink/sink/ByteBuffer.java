package dev.pulse.flink.sink;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;

/** A growable byte array that rows are encoded into and that an INSERT reads without copying. */
final class ByteBuffer {
  private byte[] bytes;
  private int size;

  ByteBuffer(int initialCapacity) {
    bytes = new byte[Math.max(16, initialCapacity)];
  }

  ByteBuffer(byte[] content) {
    bytes = content;
    size = content.length;
  }

  int size() {
    return size;
  }

  void write(int b) {
    ensure(1);
    bytes[size++] = (byte) b;
  }

  void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, bytes, size, len);
    size += len;
  }

  void writeLittleEndian(long value, int byteCount) {
    ensure(byteCount);
    for (int i = 0; i < byteCount; i++) {
      bytes[size++] = (byte) (value >>> (8 * i));
    }
  }

  /** ClickHouse's LEB128 unsigned varint (string lengths and array sizes in RowBinary). */
  void writeVarUInt(long value) {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    write((int) v);
  }

  void truncate(int newSize) {
    size = newSize;
  }

  InputStream inputStream() {
    return new ByteArrayInputStream(bytes, 0, size);
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
