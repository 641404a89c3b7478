package org.cameldatalake.schema;

/**
 * Thrown by {@link JsonToAvro} when a value needs a wider schema than the one it was converted with. It happens
 * once per schema change, so it carries no stack trace.
 */
public final class DoesNotFitSchema extends Exception {
    public DoesNotFitSchema(String path) {
        super(path, null, false, false);
    }
}
