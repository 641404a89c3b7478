package org.cameldatalake.decode;

/**
 * One record as a source hands it to the append writer: where it comes from (topic, partition, offset), its
 * source timestamp (epoch millis, or -1) and its raw value, undecoded so that a bad value can be kept as it came.
 */
public record SourceRecord(String topic, int partition, long offset, long timestamp, String key, byte[] value) {
}
