package org.cameldatalake.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.cameldatalake.schema.KsqlType.KsqlColumn;
import org.junit.jupiter.api.Test;

class KsqlTypeTest {
    @Test
    void readsHeaderSchemasAsKsqlDbWritesThem() {
        List<KsqlColumn> cols = KsqlType.parseColumns("`ID` STRING KEY, `WINDOWSTART` BIGINT KEY, `WINDOWEND` BIGINT KEY, "
                + "`AMOUNT` DECIMAL(4, 2), `TAGS` ARRAY<STRING>, `ATTRS` MAP<STRING, INTEGER>, "
                + "`LOC` STRUCT<`CITY` STRING, `GEO` STRUCT<`LAT` DOUBLE, `LON` DOUBLE>>, `first name` STRING, `T` TIMESTAMP");
        assertThat(cols).extracting(KsqlColumn::name).containsExactly("ID", "WINDOWSTART", "WINDOWEND", "AMOUNT", "TAGS",
                "ATTRS", "LOC", "first name", "T");
        assertThat(cols).extracting(KsqlColumn::key).containsExactly(true, true, true, false, false, false, false, false, false);
        assertThat(cols.get(3).type().precision()).isEqualTo(4);
        assertThat(cols.get(3).type().scale()).isEqualTo(2);
        assertThat(cols.get(5).type().key().base()).isEqualTo(KsqlType.Base.STRING);
        assertThat(cols.get(5).type().element().base()).isEqualTo(KsqlType.Base.INTEGER);
        assertThat(cols.get(6).type().toString()).isEqualTo("STRUCT<`CITY` STRING, `GEO` STRUCT<`LAT` DOUBLE, `LON` DOUBLE>>");
        assertThat(KsqlType.parseColumns("")).isEmpty();
    }

    @Test
    void refusesWhatIsNotAKsqlDbType() {
        assertThatThrownBy(() -> KsqlType.parse("VARCHAR2(10)")).hasMessageContaining("unexpected text").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KsqlType.parse("UUID")).hasMessageContaining("unknown type 'UUID'");
        assertThatThrownBy(() -> KsqlType.parseColumns("`A` STRING, `B`")).isInstanceOf(IllegalArgumentException.class);
    }
}
