package dev.pulse.flink.sink;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A growable byte array that RowBinary rows are encoded into and that an INSERT reads without
 * copying; public for the benchmark's minimal loader, which encodes the same format by hand.
 */
public final class GrowableBytes {
  private byte[] bytes;
  private int size;

  public GrowableBytes(int initialCapacity) {
    bytes = new byte[Math.max(16, initialCapacity)];
  }

  public GrowableBytes(byte[] content) {
    bytes = content;
    size = content.length;
  }

  public int size() {
    return size;
  }

  public void write(int b) {
    ensure(1);
    bytes[size++] = (byte) b;
  }

  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, bytes, size, len);
    size += len;
  }

  public void writeLittleEndian(long value, int byteCount) {
    ensure(byteCount);
    for (int i = 0; i < byteCount; i++) {
      bytes[size++] = (byte) (value >>> (8 * i));
    }
  }

  /** ClickHouse's LEB128 unsigned varint (string lengths and array sizes in RowBinary). */
  public void writeVarUInt(long value) {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    write((int) v);
  }

  public void truncate(int newSize) {
    size = newSize;
  }

  public InputStream inputStream() {
    return new ByteArrayInputStream(bytes, 0, size);
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }
}
