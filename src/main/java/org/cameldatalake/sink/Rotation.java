package org.cameldatalake.sink;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which open files of a feed to publish now: those past their age or idle limit, then the largest while the feed
 * buffers more than the memory budget allows it, then the oldest beyond the open-file limit.
 */
final class Rotation {
    private Rotation() {
    }

    /** The files past their age or idle limit. */
    static List<TopicPartitionWriter.OpenFile> expired(List<TopicPartitionWriter.OpenFile> open, AppendSettings settings,
                                                       long now) {
        return open.stream().filter(of -> settings.expired(of.openedAt, of.lastAppendAt, now)).toList();
    }

    /** Every file to publish after a batch, in the order to publish them; tells the budget what the feed keeps. */
    static List<TopicPartitionWriter.OpenFile> due(List<TopicPartitionWriter.OpenFile> open, AppendSettings settings,
                                                   String feed, long now) {
        Set<TopicPartitionWriter.OpenFile> due = new LinkedHashSet<>(expired(open, settings, now));
        List<TopicPartitionWriter.OpenFile> kept = new ArrayList<>(open);
        kept.removeAll(due);
        long buffered = kept.stream().mapToLong(TopicPartitionWriter.OpenFile::buffered).sum();
        long allowance = settings.memoryBudget().allowance(feed, buffered);
        if (buffered > allowance) {
            kept.sort(Comparator.comparingLong(TopicPartitionWriter.OpenFile::buffered).reversed());
            while (!kept.isEmpty() && buffered > allowance) {
                TopicPartitionWriter.OpenFile largest = kept.remove(0);
                buffered -= largest.buffered();
                due.add(largest);
            }
            settings.memoryBudget().allowance(feed, buffered);
        }
        if (kept.size() > settings.maxOpenFiles()) {
            kept.sort(Comparator.comparingLong(of -> of.openedAt));
            due.addAll(kept.subList(0, kept.size() - settings.maxOpenFiles()));
        }
        return List.copyOf(due);
    }
}
