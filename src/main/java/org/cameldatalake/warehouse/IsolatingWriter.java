package org.cameldatalake.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes rows with a {@link TableWriter}, each part in a transaction of its own. When the database refuses a part (a
 * value a column cannot take, a constraint, a column it cannot add…) the part is rolled back and written again in two
 * halves, and so on down to the single row, which is then rejected with the database's own message: the rows around
 * it land. When the database cannot be used at all (down, unreachable, locked, full…) nothing is rejected: a
 * {@link WarehouseUnavailableException} says so, and the caller tries again later (a part written before stays
 * written: upserts and deletes give the same table when applied again). Halves are written in order, so rows for the
 * same key keep theirs.
 */
final class IsolatingWriter {
    private final Warehouse warehouse;
    private final TableWriter writer;

    IsolatingWriter(Warehouse warehouse, TableWriter writer) {
        this.warehouse = warehouse;
        this.writer = writer;
    }

    /** Writes {@code rows}; the result holds every row not written, with its reason. */
    TableWriter.Result write(List<TableWriter.Row> rows) throws SQLException {
        Tally tally = new Tally();
        if (rows.isEmpty()) {
            return tally.result();
        }
        try (Connection c = warehouse.open()) {
            c.setAutoCommit(false);
            write(c, rows, tally);
            return tally.result();
        } catch (WarehouseUnavailableException e) {
            throw e;
        } catch (SQLException e) {
            throw DatabaseErrors.unavailable(warehouse.dialect(), e) ? unavailable(e) : e;
        }
    }

    private void write(Connection c, List<TableWriter.Row> part, Tally tally) throws SQLException {
        try {
            TableWriter.Result r = writer.apply(c, part);
            c.commit();
            tally.add(r);
        } catch (SQLException e) {
            rollback(c);
            if (DatabaseErrors.unavailable(warehouse.dialect(), e)) {
                throw unavailable(e);
            }
            if (part.size() > 1) {
                int half = part.size() / 2;
                write(c, part.subList(0, half), tally);
                write(c, part.subList(half, part.size()), tally);
            } else if (c.isValid(5)) {
                tally.rejected.add(new TableWriter.Rejected(part.get(0), warehouse.dialect().productName()
                        + " refused it: " + warehouse.masked(DatabaseErrors.message(e))));
            } else {
                throw unavailable(e); // the database went away rather than refused this row
            }
        }
    }

    private WarehouseUnavailableException unavailable(SQLException e) {
        return new WarehouseUnavailableException("the warehouse " + warehouse.displayUrl() + " is unavailable: "
                + warehouse.masked(DatabaseErrors.message(e)), e);
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // the connection is gone; the next statement on it says so
        }
    }

    private static final class Tally {
        int upserted;
        int deleted;
        final List<TableWriter.Rejected> rejected = new ArrayList<>();

        void add(TableWriter.Result r) {
            upserted += r.upserted();
            deleted += r.deleted();
            rejected.addAll(r.rejected());
        }

        TableWriter.Result result() {
            return new TableWriter.Result(upserted, deleted, List.copyOf(rejected));
        }
    }
}
