import { describe, expect, it } from "vitest";
import { generateUserId, isValidUserId, loadOrCreateUserId, USER_ID_STORAGE_KEY } from "@/lib/userId";

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

describe("user id", () => {
  it("generates ids the backend accepts, different each time", () => {
    const a = generateUserId();
    const b = generateUserId();
    expect(a).toMatch(/^user-[0-9a-f]{8}$/);
    expect(isValidUserId(a)).toBe(true);
    expect(a).not.toBe(b);
  });

  it("uses the given random source", () => {
    expect(generateUserId((bytes) => bytes.fill(0xab))).toBe("user-abababab");
  });

  it("validates like the backend's path pattern", () => {
    expect(isValidUserId("ann@example.org")).toBe(true);
    expect(isValidUserId("a".repeat(128))).toBe(true);
    expect(isValidUserId("a".repeat(129))).toBe(false);
    expect(isValidUserId("")).toBe(false);
    expect(isValidUserId("has space")).toBe(false);
    expect(isValidUserId("../etc")).toBe(false);
  });

  it("creates and stores an id on the first visit, then keeps it", () => {
    const storage = new MemoryStorage();
    const first = loadOrCreateUserId(storage, () => "user-00000001");
    expect(first).toBe("user-00000001");
    expect(storage.getItem(USER_ID_STORAGE_KEY)).toBe("user-00000001");
    expect(loadOrCreateUserId(storage, () => "user-00000002")).toBe("user-00000001");
  });

  it("replaces a stored id the backend would reject", () => {
    const storage = new MemoryStorage();
    storage.setItem(USER_ID_STORAGE_KEY, "not valid/");
    expect(loadOrCreateUserId(storage, () => "user-00000003")).toBe("user-00000003");
    expect(storage.getItem(USER_ID_STORAGE_KEY)).toBe("user-00000003");
  });

  it("still works when storage is unavailable", () => {
    const broken = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("SecurityError");
      },
    };
    expect(loadOrCreateUserId(broken, () => "user-00000004")).toBe("user-00000004");
    expect(loadOrCreateUserId(null, () => "user-00000005")).toBe("user-00000005");
  });
});
