// The marketplace images a lab offers (labs/{lab}/galleryimages). A short fixed list: the real service
// lists hundreds; these are the ones recordings and samples use.
import { dtlId } from "./common";
import type { JsonObject } from "../core/json";

const IMAGES: { name: string; author: string; publisher: string; offer: string; sku: string; osType: "Windows" | "Linux" }[] = [
  { name: "Ubuntu Server 22.04 LTS", author: "Canonical", publisher: "canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts", osType: "Linux" },
  { name: "Ubuntu Server 20.04 LTS", author: "Canonical", publisher: "canonical", offer: "0001-com-ubuntu-server-focal", sku: "20_04-lts", osType: "Linux" },
  { name: "Windows Server 2022 Datacenter", author: "Microsoft", publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter", osType: "Windows" },
  { name: "Windows Server 2019 Datacenter", author: "Microsoft", publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2019-Datacenter", osType: "Windows" },
  { name: "Windows Server 2016 Datacenter", author: "Microsoft", publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2016-Datacenter", osType: "Windows" },
  { name: "Windows Server 2012 R2 Datacenter", author: "Microsoft", publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2012-R2-Datacenter", osType: "Windows" },
];

export function galleryImages(sub: string, rg: string, lab: string): JsonObject[] {
  return IMAGES.map((i) => ({
    name: i.name,
    properties: {
      author: i.author,
      createdDate: "2024-08-14T05:18:14.1604797+00:00",
      description: `${i.name}.`,
      imageReference: { offer: i.offer, publisher: i.publisher, sku: i.sku, osType: i.osType, version: "latest" },
      enabled: true,
    },
    id: dtlId(sub, rg, ["labs", "galleryimages"], [lab, i.name]),
    type: "Microsoft.DevTestLab/labs/galleryImages",
  }));
}
