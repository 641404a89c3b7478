package org.cameldatalake.schema;

import org.apache.avro.Schema;

/** One version of the schema a feed's files are written with: inferred from JSON values, or declared by ksqlDB. */
public interface RowSchema {
    int version();

    Schema avro();
}
