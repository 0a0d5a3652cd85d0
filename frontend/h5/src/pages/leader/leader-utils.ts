// Small browser helpers of the leader pages: copy, share, camera scanning support.

/** Copy text: the Clipboard API where allowed, else a hidden textarea (older WebViews). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // denied (not focused, no permission): fall back below
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

export type ShareOutcome = "shared" | "copied" | "cancelled" | "failed";

/** The system share sheet (Web Share API) where the browser has one, else copy the link. */
export async function shareLink(data: { title: string; text?: string; url: string }): Promise<ShareOutcome> {
  if (typeof navigator.share === "function") {
    try {
      await navigator.share(data);
      return "shared";
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") return "cancelled";
    }
  }
  return (await copyText(data.url)) ? "copied" : "failed";
}

/** Scanning a QR code needs BarcodeDetector (with QR support) and a camera. */
export async function scanSupported(): Promise<boolean> {
  const detector = (globalThis as { BarcodeDetector?: { getSupportedFormats?: () => Promise<string[]> } })
    .BarcodeDetector;
  if (!detector || !navigator.mediaDevices?.getUserMedia) return false;
  try {
    const formats = (await detector.getSupportedFormats?.()) ?? ["qr_code"];
    return formats.includes("qr_code");
  } catch {
    return false;
  }
}

/** A pickup code from what a scanned QR carries: the code itself, or a link with ?code=. */
export function pickupCodeFromScan(raw: string): string {
  const text = raw.trim();
  try {
    const url = new URL(text);
    return (url.searchParams.get("code") ?? url.pathname.split("/").filter(Boolean).pop() ?? "").trim();
  } catch {
    return text;
  }
}

const STATUS_ORDER = ["paid", "confirmed", "shipped", "arrived", "picked_up", "completed", "refunded"];

/** Order counts per status, in the order an order moves through them, leaving out zeros. */
export function orderedStatusCounts(counts: Record<string, number>): Array<[string, number]> {
  const known = STATUS_ORDER.filter((status) => counts[status]).map(
    (status) => [status, counts[status]] as [string, number],
  );
  const others = Object.entries(counts).filter(([status, count]) => count && !STATUS_ORDER.includes(status));
  return [...known, ...others];
}

/** 11/29 20:00 style, in the phone's timezone and language. */
export function formatTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return "";
  return new Date(iso).toLocaleString(locale, {
    month: "numeric",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });
}
