#pragma once
// A small directory shaped like the real one (state -> district -> block ->
// mandal -> booth), used by unit and integration tests.
#include <string>

#include "config/config.hpp"

namespace orgcast::fixtures {

inline DirectoryConfig sample_directory_config() {
  DirectoryConfig c;
  c.tag_groups = {{"cells", {"it_cell", "legal_cell"}}, {"frontal", {"yuva_morcha", "mahila_morcha", "kisan_morcha"}}};
  return c;
}

inline const std::string kSampleUnits =
    "id,parent_id,level,name,name_hi\n"
    "RJ,,state,Rajasthan,राजस्थान\n"
    "D-JAI,RJ,district,Jaipur,जयपुर\n"
    "D-JOD,RJ,district,Jodhpur,जोधपुर\n"
    "B-JAI-1,D-JAI,block,Sanganer,सांगानेर\n"
    "B-JOD-1,D-JOD,block,Luni,लूणी\n"
    "M-JAI-1,B-JAI-1,mandal,Sanganer Mandal 1,सांगानेर मंडल 1\n"
    "M-JAI-2,B-JAI-1,mandal,Sanganer Mandal 2,सांगानेर मंडल 2\n"
    "M-JOD-1,B-JOD-1,mandal,Luni Mandal 1,लूणी मंडल 1\n"
    "BT-1,M-JAI-1,booth,Booth 1,बूथ 1\n"
    "BT-2,M-JAI-1,booth,Booth 2,बूथ 2\n"
    "BT-3,M-JAI-2,booth,Booth 3,बूथ 3\n"
    "BT-4,M-JOD-1,booth,Booth 4,बूथ 4\n";

// C4 and C7 are one person (same mobile written two ways) with two posts.
inline const std::string kSampleContacts =
    "id,name,name_hi,mobile,whatsapp,language,unit_id,role,tags,app_token\n"
    "C1,Ramesh Sharma,रमेश शर्मा,9829000001,yes,hi,RJ,president,,tokA\n"
    "C2,Suresh Meena,सुरेश मीणा,98290 00002,no,hi,D-JAI,president,yuva_morcha,\n"
    "C3,Anita Gupta,अनीता गुप्ता,+91 98290 00003,yes,en,D-JOD,president,mahila_morcha,\n"
    "C4,Mohan Lal,मोहन लाल,9829000004,yes,hi,M-JAI-1,president,,\n"
    "C5,Geeta Devi,गीता देवी,9829000005,no,hi,M-JAI-2,president,mahila_morcha,tokB\n"
    "C6,Kailash Jat,कैलाश जाट,9829000006,yes,hi,M-JOD-1,president,kisan_morcha,\n"
    "C7,Mohan Lal,मोहन लाल,098290-00004,yes,hi,BT-1,president,,\n"
    "C8,Pooja Saini,पूजा सैनी,9829000008,yes,hi,BT-1,secretary,it_cell;yuva_morcha,\n"
    "C9,Ravi Kumar,रवि कुमार,9829000009,,hi,BT-2,president,,\n"
    "C10,Sunil Jain,सुनील जैन,9829000010,yes,en,BT-3,president,it_cell,tokC\n"
    "C11,Vikram Singh,विक्रम सिंह,9829000011,yes,hi,BT-4,president,,\n"
    "C12,Meena Kumari,मीना कुमारी,9829000012,9829000099,hi,BT-4,booth_level_agent,,\n";

}  // namespace orgcast::fixtures
