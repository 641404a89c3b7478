package org.cameldatalake.ksqldb;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/** What a ksqlDB server holds: {@code SHOW STREAMS; SHOW TABLES;} on {@code POST /ksql} (research §4.2). */
public final class KsqlDbCatalog {
    public record SourceInfo(String type, String name, String topic, String keyFormat, String valueFormat,
                             boolean windowed) {
    }

    private KsqlDbCatalog() {
    }

    public static List<SourceInfo> list(ProducerTemplate template, String ksqldbUrl) throws Exception {
        String body = "{\"ksql\":\"SHOW STREAMS; SHOW TABLES;\",\"streamsProperties\":{}}";
        String response = template.requestBodyAndHeaders(ksqldbUrl + "/ksql?httpMethod=POST", body,
                Map.of(Exchange.CONTENT_TYPE, KsqlDbExports.V1_JSON, "Accept", KsqlDbExports.V1_JSON), String.class);
        JsonNode entities = KsqlQueryResponse.JSON.readTree(response);
        if (!entities.isArray()) {
            throw new KsqlDbException(0, "SHOW STREAMS/TABLES did not answer with an array of entities");
        }
        List<SourceInfo> out = new ArrayList<>();
        for (JsonNode entity : entities) {
            JsonNode list = entity.has("streams") ? entity.get("streams") : entity.get("tables");
            if (list == null) {
                continue;
            }
            for (JsonNode s : list) {
                // servers before 0.13 sent one "format" instead of keyFormat/valueFormat (research §4.2)
                out.add(new SourceInfo(s.path("type").asText(), s.path("name").asText(), s.path("topic").asText(),
                        s.path("keyFormat").asText("KAFKA"), s.path("valueFormat").asText(s.path("format").asText()),
                        s.path("isWindowed").asBoolean(false)));
            }
        }
        return out;
    }
}
