package org.cameldatalake.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeRootTest {
    @TempDir
    Path tmp;

    /** java.nio gives an existing folder's URI a trailing '/': the root must still accept itself written without it. */
    @Test
    void aRootGivenWithATrailingSlashIsItselfAndHoldsItsChildren() throws Exception {
        Path lake = Files.createDirectories(tmp.resolve("data_lake"));
        URI uri = lake.toUri();
        assertThat(uri.toString()).endsWith("/");
        LakeRoot root = new LakeRoot(FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(uri));

        org.apache.hadoop.fs.Path withoutSlash = new org.apache.hadoop.fs.Path("file:" + lake);
        assertThat(root.checked(withoutSlash)).isEqualTo(withoutSlash);
        assertThat(root.relative(withoutSlash)).isEmpty();
        assertThat(root.root().toString()).isEqualTo("file:" + lake);
        assertThat(root.relative(root.path("streams", "feed"))).isEqualTo("streams/feed");
        assertThatThrownBy(() -> root.checked(new org.apache.hadoop.fs.Path("file:" + lake + "2/x")))
                .hasMessageContaining("is outside the lake root file:" + lake);
    }
}
