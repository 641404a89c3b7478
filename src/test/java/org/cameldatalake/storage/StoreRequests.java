package org.cameldatalake.storage;

import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.statistics.IOStatisticsSupport;

/** The requests a lake on S3 made so far, as S3A counts them (its IOStatistics), by kind. */
public final class StoreRequests {
    private StoreRequests() {
    }

    /** Non-zero counters of S3A's requests: object_list_request, object_metadata_request (HEAD), … */
    public static Map<String, Long> of(Storage storage) {
        Map<String, Long> out = new TreeMap<>();
        IOStatisticsSupport.retrieveIOStatistics(((HadoopStorage) storage).fs()).counters().forEach((k, v) -> {
            if (v > 0 && (k.endsWith("_request") || k.startsWith("multipart_upload_list") || k.startsWith("object_multipart"))) {
                out.put(k, v);
            }
        });
        return out;
    }
}
