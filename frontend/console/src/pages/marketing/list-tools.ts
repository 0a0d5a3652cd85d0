// What the 营销 tabs' scripts share: the short period format, pasted ids, and pause / resume.
import { ref } from "vue";
import { ElMessage } from "element-plus";

export const formatTime = (value: string | null | undefined) =>
  value ? new Date(value).toLocaleString("zh-CN", { hour12: false, dateStyle: "short", timeStyle: "short" }) : "";

/** "12, 15，18" -> [12, 15, 18] (commas of either width or spaces); [] for the whole shop. */
export function scopeIds(scope: string, text: string): number[] {
  if (scope === "all") return [];
  return text
    .split(/[,，\s]+/)
    .filter(Boolean)
    .map(Number);
}

type Toggled = { id: number; status: string };

/** Pause an active row or resume a paused one, then reload; `busyId` marks the row meanwhile. */
export function useStatusToggle(
  setStatus: (id: number, status: "active" | "paused") => Promise<unknown>,
  reload: () => Promise<void>,
) {
  const busyId = ref<number | null>(null);
  async function toggle(row: Toggled) {
    busyId.value = row.id;
    try {
      await setStatus(row.id, row.status === "active" ? "paused" : "active");
      await reload();
    } catch (error) {
      ElMessage.error(error instanceof Error ? error.message : String(error));
    } finally {
      busyId.value = null;
    }
  }
  return { busyId, toggle };
}
